// Where this process actually connects when it means to reach host:port. Normally the same
// address; the jepsen-like harness sets `raftka.connect.address.map` so that each node reaches
// each other node through a TCP proxy of its own (one per directed link), which lets the harness
// cut, delay or one-way-drop a single link. Every outgoing node-to-node connection (Raft gRPC,
// controller RPCs, replica fetches, internal Kafka clients) asks here first. Set once at node
// start; empty in every other process.
import type { Endpoint } from './node-config.js';

let addressMap: ReadonlyMap<string, string> = new Map();

export function setConnectAddressMap(map: ReadonlyMap<string, string>): void {
  addressMap = map;
}

/** "host:port" to dial for a target "host:port". */
export function connectTarget(hostPort: string): string {
  return addressMap.get(hostPort) ?? hostPort;
}

/** The endpoint to dial for `ep`. */
export function connectEndpoint(ep: Endpoint): Endpoint {
  const mapped = addressMap.get(`${ep.host}:${ep.port}`);
  if (mapped === undefined) return ep;
  const i = mapped.lastIndexOf(':');
  return { host: mapped.slice(0, i), port: Number(mapped.slice(i + 1)) };
}
