-- A control file belongs to a source (issue 20): the file feed's, as before, or the SCIM source's, which
-- maps the SCIM batcher's snapshot (every SCIM user's flat fields plus its whole resource, extensions and
-- Entra's csv extension included) so admins map custom attributes the way they map a file. Without a SCIM
-- control file the batcher uses its built-in one.
ALTER TABLE control_file ADD COLUMN source text NOT NULL DEFAULT 'file' CHECK (source IN ('file', 'scim'));
CREATE INDEX control_file_source_idx ON control_file (source, id DESC);
