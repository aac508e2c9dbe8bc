/**
 * Test fixture, not exported from the barrel: a tiny hand-built service with JSON on the wire and
 * no generated code, so the gRPC tests do not depend on @usersync/contracts.
 */
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8')),
};

function method(path: string, responseStream: boolean) {
  return {
    path,
    requestStream: false,
    responseStream,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  };
}

export interface EchoRequest {
  text: string;
  delayMs?: number;
}
export interface EchoResponse {
  text: string;
}

export const EchoServiceDefinition = {
  echo: method('/test.v1.EchoService/Echo', false),
  count: method('/test.v1.EchoService/Count', true),
} satisfies grpc.ServiceDefinition;

type Callback<Res> = (err: grpc.ServiceError | null, response: Res) => void;

/** The shape ts-proto generates for a client, overloads included. */
export interface EchoServiceClient extends grpc.Client {
  echo(request: EchoRequest, callback: Callback<EchoResponse>): grpc.ClientUnaryCall;
  echo(request: EchoRequest, metadata: grpc.Metadata, callback: Callback<EchoResponse>): grpc.ClientUnaryCall;
  echo(
    request: EchoRequest,
    metadata: grpc.Metadata,
    options: Partial<grpc.CallOptions>,
    callback: Callback<EchoResponse>,
  ): grpc.ClientUnaryCall;
  count(request: { upTo: number; failAt?: number }): grpc.ClientReadableStream<{ n: number }>;
}

export const EchoServiceClient = grpc.makeGenericClientConstructor(
  EchoServiceDefinition,
  'test.v1.EchoService',
) as unknown as new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: Partial<grpc.ClientOptions>,
) => EchoServiceClient;

export interface HealthClient extends grpc.Client {
  check(
    request: { service: string },
    metadata: grpc.Metadata,
    options: Partial<grpc.CallOptions>,
    callback: Callback<{ status: string }>,
  ): grpc.ClientUnaryCall;
}

export const HealthClient = grpc.makeGenericClientConstructor(
  healthService as unknown as grpc.ServiceDefinition,
  'grpc.health.v1.Health',
) as unknown as new (address: string, credentials: grpc.ChannelCredentials) => HealthClient;
