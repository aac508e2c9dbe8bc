-- The SCIM source's last request (issue 19: the portal shows when a SCIM client last called, with which key,
-- what it asked and how it was answered). Each gateway process keeps its latest request in memory and writes
-- it here at most about once a second (usecases/scim-request-recorder.ts); a write never replaces a newer one,
-- so replicas do not undo each other. The last failed request (status >= 400) is kept beside it: a client
-- whose every PATCH is refused is visible even while its GETs succeed.
-- Each is {at, keyId, keyName, method, path, status}; the path carries no query string.
ALTER TABLE scim.source_state ADD COLUMN last_request jsonb;
ALTER TABLE scim.source_state ADD COLUMN last_failed_request jsonb;
