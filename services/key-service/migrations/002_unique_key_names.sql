-- Two active keys may not share a name (case-insensitive, trimmed): the portal lists keys by name and
-- an admin revokes "HR nightly export" by name, so a duplicate would make that ambiguous (issue 17).
-- Revoked keys keep their names and do not count; a name becomes free again when its key is revoked.
-- Keys created before this rule may share a name: the older of each such pair is renamed with its
-- prefix, so the index can be built and both stay recognisable.
UPDATE api_key k SET name = left(k.name, 100 - char_length(k.display_prefix) - 3) || ' (' || k.display_prefix || ')'
WHERE k.revoked_at IS NULL AND EXISTS (
  SELECT 1 FROM api_key n
  WHERE n.revoked_at IS NULL AND lower(btrim(n.name)) = lower(btrim(k.name))
    AND (n.created_at, n.id) > (k.created_at, k.id));

CREATE UNIQUE INDEX api_key_active_name_key ON api_key (lower(btrim(name))) WHERE revoked_at IS NULL;
