/**
 * The gRPC service of the benchmark, defined without a .proto: JSON messages through grpc-js's generic
 * service definition (the wire is still gRPC over HTTP/2: frames, HPACK headers, trailers).
 */
import type { ServiceDefinition } from '@grpc/grpc-js';

export interface HelloRequest {
  name: string;
}
export interface HelloReply {
  message: string;
}

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')),
};

/** `vigil.bench.Greeter/SayHello`: unary. */
export const greeterService: ServiceDefinition = {
  SayHello: {
    path: '/vigil.bench.Greeter/SayHello',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
};
