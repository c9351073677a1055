-- Tables the PostgreSQL examples write to. Run once against the database the n8n Postgres
-- credential points at:  psql "postgres://user:password@host:5432/crm" -f examples/crm-schema.sql
-- (the end-to-end suite and `npm run demo` run it against their own private PostgreSQL).

-- agntix-session-ended-postgres.json: one contact per Agntix session variable `crmContactId`
-- (upserted), with the last call's analysis and every extracted field in `attributes`.
CREATE TABLE IF NOT EXISTS contacts (
	crm_contact_id  text PRIMARY KEY,
	name            text,
	phone           text,
	last_summary    text,
	last_sentiment  text,
	last_resolution text,
	last_intent     text,
	attributes      jsonb NOT NULL DEFAULT '{}'::jsonb,
	last_call_at    timestamptz,
	updated_at      timestamptz NOT NULL DEFAULT now()
);

-- agntix-session-ended-postgres.json: one row per call (session), inserted.
CREATE TABLE IF NOT EXISTS calls (
	id              bigserial PRIMARY KEY,
	session_id      text NOT NULL UNIQUE,
	crm_contact_id  text REFERENCES contacts (crm_contact_id),
	provider        text NOT NULL,
	started_at      timestamptz,
	ended_at        timestamptz,
	from_number     text,
	to_number       text,
	summary         text,
	sentiment       text,
	resolution      text,
	intent          text,
	extracted       jsonb NOT NULL DEFAULT '{}'::jsonb,
	variables       jsonb,
	created_at      timestamptz NOT NULL DEFAULT now()
);

-- speaknode-conversation-complete-postgres.json: a spreadsheet-style row per call.
CREATE TABLE IF NOT EXISTS call_log (
	session_id       text PRIMARY KEY,
	agent_id         text,
	crm_contact_id   text,
	from_number      text,
	to_number        text,
	started_at       timestamptz,
	duration_seconds numeric,
	turns            integer,
	transcript       text,
	recording_url    text,
	received_at      timestamptz NOT NULL DEFAULT now()
);
