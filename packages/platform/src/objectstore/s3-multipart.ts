/**
 * The multipart calls of one upload on the minio client: initiate, UploadPart with the part as one
 * buffer, complete, abort. Parts go out with `x-amz-content-sha256: UNSIGNED-PAYLOAD` and no
 * Content-MD5 (the client is made with `enableSHA256 = false`), so the only hash over the bytes is the
 * store's own sha256 of the whole stream; minio's putObject would add an md5 and a sha256 per part.
 */
import type { Client } from 'minio';
import type { MultipartTarget } from './hashing-upload.js';

export function s3Multipart(client: Client, bucket: string, key: string, region: string): MultipartTarget {
  return {
    async begin() {
      const uploadId = await client.initiateNewMultipartUpload(bucket, key, {});
      return {
        async putPart(partNumber, body) {
          const res = await client.makeRequestStreamAsync(
            {
              method: 'PUT',
              bucketName: bucket,
              objectName: key,
              query: `partNumber=${partNumber}&uploadId=${encodeURIComponent(uploadId)}`,
              headers: { 'Content-Length': body.length },
            },
            body,
            '',
            [200],
            region,
          );
          res.resume();
          const etag = String(res.headers.etag ?? '').replace(/^"|"$/g, '');
          if (!etag) throw new Error(`UploadPart ${partNumber} answered without an ETag`);
          return etag;
        },
        async complete(parts) {
          await client.completeMultipartUpload(bucket, key, uploadId, parts);
        },
        async abort() {
          await client.abortMultipartUpload(bucket, key, uploadId);
        },
      };
    },
  };
}
