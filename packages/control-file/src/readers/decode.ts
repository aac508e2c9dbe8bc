import iconv from 'iconv-lite';

/** A data file as the apply worker hands it over: a Node Readable, or any async iterable of chunks. */
export type ByteSource = AsyncIterable<Uint8Array | string>;

/**
 * Decodes a byte stream chunk by chunk. A BOM is dropped (Haplo's Java readers keep it, which turns the
 * first header into "\uFEFFID"). Malformed bytes become U+FFFD rather than failing the run, as in Java.
 */
export async function* decodeText(input: ByteSource, charset = 'utf-8'): AsyncGenerator<string> {
  const normalized = charset.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (normalized === 'utf8') {
    const decoder = new TextDecoder('utf-8');
    for await (const chunk of input) {
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const tail = decoder.decode();
    if (tail) yield tail;
    return;
  }
  const decoder = iconv.getDecoder(charset);
  for await (const chunk of input) {
    const text =
      typeof chunk === 'string' ? chunk : decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (text) yield text;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}

/** Removes a leading BOM from the first chunk (string inputs and iconv decoders may keep it). */
export async function* stripBom(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let first = true;
  for await (const chunk of chunks) {
    if (first) {
      first = false;
      const text = chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
      if (text) yield text;
      continue;
    }
    yield chunk;
  }
}
