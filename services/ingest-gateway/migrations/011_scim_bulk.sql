-- Entra-style bulk uploads (POST /scim/v2/bulkUpload): each request and its per-operation results, so a
-- client (or an admin) can read back what became of every operation at the request's Location.
CREATE TABLE scim.bulk_request (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  received_at      timestamptz NOT NULL DEFAULT now(),
  actor            jsonb NOT NULL,          -- {kind, id, displayName}: the API key that sent it
  operation_count  integer NOT NULL,
  failed_count     integer NOT NULL,
  results          jsonb NOT NULL           -- BulkResponse Operations[], in request order
);
CREATE INDEX bulk_request_received_idx ON scim.bulk_request (received_at DESC);
