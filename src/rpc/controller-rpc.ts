// The Controller service of proto/controller.proto, typed: request and answer types by RPC name,
// a channel to one controller, and the handler shape of the controllers' server. Following
// NOT_CONTROLLER to the active controller is the client's business (src/client/controller-client.ts).
import type { ProtoGrpcType } from './generated/controller.js';
import type { ControllerDefinition } from './generated/raftka/controller/Controller.js';
import type { ControllerHint__Output } from './generated/raftka/controller/ControllerHint.js';
import {
  loadedService,
  loadProto,
  RpcChannel,
  type LoadedService,
  type MethodName,
  type RequestIn,
  type ResponseOut,
  type ServiceHandlers,
} from './grpc-plumbing.js';
import { plaintextRpc, type RpcClientSecurity } from './rpc-security.js';

export type { ControllerDefinition };
export type { AclBinding, AclBinding__Output } from './generated/raftka/controller/AclBinding.js';
export type { AlterableConfig } from './generated/raftka/controller/AlterableConfig.js';
export type { ConfigResource } from './generated/raftka/controller/ConfigResource.js';
export type { ControllerHint, ControllerHint__Output } from './generated/raftka/controller/ControllerHint.js';
export type { QuotaEntityPart } from './generated/raftka/controller/QuotaEntityPart.js';
export type { ScramCredentialOp } from './generated/raftka/controller/ScramCredentialOp.js';
export type { TopicDescription__Output } from './generated/raftka/controller/TopicDescription.js';
export type { TopicResults__Output } from './generated/raftka/controller/TopicResults.js';

/** An RPC of the Controller service, e.g. 'CreateTopics'. */
export type ControllerMethod = MethodName<ControllerDefinition>;
/** The request a caller sends on method M. */
export type ControllerRequest<M extends ControllerMethod> = RequestIn<ControllerDefinition, M>;
/** The answer a caller receives on method M. */
export type ControllerResponse<M extends ControllerMethod> = ResponseOut<ControllerDefinition, M>;

/** What every answer carries: an error code and, with NOT_CONTROLLER, who the active controller is. */
export interface ControllerAnswer {
  readonly errorCode: number;
  readonly controller: ControllerHint__Output | null;
}
// Compile-time check that every RPC's answer is a ControllerAnswer (a proto change that drops
// error_code or controller from one breaks the build here).
type EveryAnswerNamesTheController = {
  [M in ControllerMethod]: ControllerResponse<M> extends ControllerAnswer ? true : M;
}[ControllerMethod];
const everyAnswerNamesTheController: EveryAnswerNamesTheController = true;
void everyAnswerNamesTheController;

/** What a controller's server implements: one handler per RPC. */
export type ControllerHandlers = ServiceHandlers<ControllerDefinition>;

export function controllerService(): LoadedService<ControllerDefinition> {
  return loadedService(loadProto<ProtoGrpcType>('controller.proto').raftka.controller.Controller);
}

/** One channel to one controller. */
export class ControllerChannel {
  private readonly channel: RpcChannel<ControllerDefinition>;

  constructor(address: string, security: RpcClientSecurity = plaintextRpc) {
    this.channel = new RpcChannel(controllerService(), address, security);
  }

  call<M extends ControllerMethod>(
    method: M,
    request: ControllerRequest<M>,
    deadlineMs: number,
  ): Promise<ControllerResponse<M> & ControllerAnswer> {
    return this.channel.call(method, request, deadlineMs) as Promise<ControllerResponse<M> & ControllerAnswer>;
  }

  close(): void {
    this.channel.close();
  }
}
