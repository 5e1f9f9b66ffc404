// DescribeCluster (key 60) for both kinds of Kafka listener (KIP-919): a broker listener describes
// the brokers, a controller's Kafka listener the controllers that registered Kafka-protocol
// listeners (RegisterControllerRecord). Each answers the other endpoint type with
// MISMATCHED_ENDPOINT_TYPE, an unknown type with UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST at v0,
// as Kafka does). Who calls: admin-apis.ts (brokers), controller-apis.ts (controllers).
import { ErrorCode } from '../common/errors.js';
import type { MetadataImage } from '../metadata/image.js';
import type { DescribeClusterRequest, DescribeClusterResponseInput } from '../protocol/messages/describe-cluster.js';
import { clientVisibleControllerId, type RequestContext } from './api-context.js';
import { clusterAuthorizedOperations, type RequestAuthorization } from './authorization.js';

/** KIP-919's endpoint types: what a DescribeCluster v1+ request asks to be described. */
export const EndpointType = { BROKER: 1, CONTROLLER: 2 } as const;

/** One node a DescribeCluster answer lists, on the listener the request came in on. */
interface DescribedNode {
  readonly brokerId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
  readonly isFenced: boolean;
}

/** The nodes a listener describes: their kind, those on `listenerName`, and the id to send admin calls to. */
export interface DescribedEndpoints {
  readonly type: (typeof EndpointType)[keyof typeof EndpointType];
  nodes(listenerName: string, includeFenced: boolean): DescribedNode[];
  readonly controllerId: number;
}

/** A broker listener: the registered brokers (fenced ones only when asked, v2+). */
export function brokerEndpoints(img: MetadataImage | null): DescribedEndpoints {
  return {
    type: EndpointType.BROKER,
    controllerId: img ? clientVisibleControllerId(img) : -1,
    nodes: (listenerName, includeFenced) =>
      img
        ? [...img.brokers.values()]
            .filter((b) => includeFenced || !b.fenced)
            .sort((a, b) => a.id - b.id)
            .flatMap((b) => {
              const ep = b.endpoints.find((e) => e.name === listenerName);
              return ep ? [{ brokerId: b.id, host: ep.host, port: ep.port, rack: b.rack, isFenced: b.fenced }] : [];
            })
        : [],
  };
}

/**
 * A controller's Kafka listener: the controllers registered with an endpoint of that listener
 * name, and the active controller (the Raft leader) as the controller id, as Kafka's
 * ControllerApis answers.
 */
export function controllerEndpoints(img: MetadataImage | null, activeControllerId: number): DescribedEndpoints {
  return {
    type: EndpointType.CONTROLLER,
    controllerId: activeControllerId,
    nodes: (listenerName) =>
      img
        ? [...img.controllers.values()]
            .sort((a, b) => a.id - b.id)
            .flatMap((c) => {
              const ep = c.endpoints.find((e) => e.name === listenerName);
              return ep ? [{ brokerId: c.id, host: ep.host, port: ep.port, rack: null, isFenced: false }] : [];
            })
        : [],
  };
}

/** Answered to anyone, as Kafka does; DESCRIBE on the cluster only shows its authorized operations. */
export function describeCluster(
  clusterId: string,
  req: DescribeClusterRequest,
  rc: RequestContext,
  az: RequestAuthorization,
  served: DescribedEndpoints,
): DescribeClusterResponseInput {
  const version = rc.header.apiVersion;
  const wanted = req.endpointType; // 1 (brokers) when the version has no such field
  if (wanted !== served.type) {
    const known = wanted === EndpointType.BROKER || wanted === EndpointType.CONTROLLER;
    const name = (t: number) => (t === EndpointType.BROKER ? 'BROKER' : 'CONTROLLER');
    return {
      errorCode:
        version === 0
          ? ErrorCode.INVALID_REQUEST
          : known
            ? ErrorCode.MISMATCHED_ENDPOINT_TYPE
            : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
      errorMessage: known
        ? `The request was sent to an endpoint of type ${name(served.type)}, but we wanted an endpoint of type ${name(wanted)}`
        : `Unsupported endpoint type ${wanted}`,
      clusterId: '',
      brokers: [],
    };
  }
  return {
    errorCode: 0,
    errorMessage: null,
    endpointType: served.type,
    clusterId,
    controllerId: served.controllerId,
    brokers: served.nodes(rc.listenerName, req.includeFencedBrokers), // includeFencedBrokers: false before v2
    ...(req.includeClusterAuthorizedOperations ? { clusterAuthorizedOperations: clusterAuthorizedOperations(az) } : {}),
  };
}
