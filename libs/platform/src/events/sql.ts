/**
 * The outbox and inbox tables every service keeps in its own schema. Services paste
 * the same DDL into their first migration; tests create it from here.
 */
export function eventsTablesSql(schema: string): string {
  const s = quoteSchema(schema);
  return `
CREATE TABLE ${s}.outbox (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  subject text NOT NULL,
  envelope jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished_idx ON ${s}.outbox (seq) WHERE published_at IS NULL;
CREATE TABLE ${s}.inbox (
  consumer text NOT NULL,
  event_id uuid NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
`;
}

/**
 * The schema name as a quoted SQL identifier. Table names cannot be bound as query
 * parameters, so the name is restricted to a plain identifier rather than escaped.
 */
export function quoteSchema(schema: string): string {
  return quoteIdentifier(schema, 'schema name');
}

/** A table or column name as a quoted SQL identifier, restricted as `quoteSchema` restricts schemas. */
export function quoteIdentifier(name: string, what = 'SQL name'): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) {
    throw new Error(`invalid ${what} ${JSON.stringify(name)}: use letters, digits and underscores`);
  }
  return `"${name}"`;
}
