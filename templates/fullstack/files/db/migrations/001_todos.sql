-- The to-do list. exo applies each file in db/migrations once, in name order; change the
-- schema with a new file (002_...sql), never by editing one that has run.
CREATE TABLE todos (
    id         bigserial PRIMARY KEY,
    text       text NOT NULL CHECK (text <> ''),  -- the service limits the length
    created_at timestamptz NOT NULL DEFAULT now()
);
