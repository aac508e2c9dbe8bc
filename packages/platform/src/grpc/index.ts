export * from './server.js';
export * from './client.js';
export * from './error-mapping.js';
export { unaryHandler, serverStreamHandler, clientStreamHandler, type RpcContext } from './rpc-context.js';
