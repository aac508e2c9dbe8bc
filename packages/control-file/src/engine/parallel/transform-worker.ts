/**
 * Worker-thread entry of the parallel batch: compiles the control file once, then transforms each
 * segment it is sent (see protocol.ts). Runs from dist as .js, or from source under tsx.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ControlFile } from '../../validation/validate-control.js';
import { transformSegment, type SegmentRequest } from './protocol.js';
import { createTransformer } from '../../transform/transformer.js';

const port = parentPort;
if (!port) throw new Error('transform-worker must run in a worker thread');
const { controlFile, digests } = workerData as { controlFile: ControlFile; digests: boolean };
const transformer = createTransformer(controlFile);
port.on('message', (request: SegmentRequest) => {
  try {
    const response = transformSegment(transformer, request, digests);
    port.postMessage(response, response.lengths ? [response.lengths.buffer as ArrayBuffer] : []);
  } catch (err) {
    port.postMessage({ id: request.id, crash: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
