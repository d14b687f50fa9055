-- A clientguard 0.1 store (schema version 1), dumped with sqlite3's iterdump; the two
-- pragmas at the end are the file header values a dump leaves out.
BEGIN TRANSACTION;
CREATE TABLE cursors (
            source TEXT NOT NULL,
            stream TEXT NOT NULL,
            cursor TEXT NOT NULL,
            sync_id INTEGER NOT NULL,
            PRIMARY KEY (source, stream)
        ) WITHOUT ROWID;
INSERT INTO "cursors" VALUES('books','invoices','2025-05-01T00:00:00+00:00',1);
CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
CREATE TABLE records (
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            record_id TEXT NOT NULL,
            stream TEXT NOT NULL,
            data TEXT NOT NULL,
            location TEXT,
            first_sync INTEGER NOT NULL,
            changed_sync INTEGER NOT NULL,
            seen_sync INTEGER NOT NULL,
            PRIMARY KEY (source, kind, record_id)
        ) WITHOUT ROWID;
INSERT INTO "records" VALUES('books','customer','c1','customers','{"id":"c1","name":"Acme","tax_id":null,"email":null,"group_id":null,"source":"memory","updated_at":null}','{"file": "customers.csv", "line": 10}',1,1,1);
INSERT INTO "records" VALUES('books','invoice','A','invoices','{"id":"A","customer_id":"c1","number":"A","issue_date":"2025-05-01","due_date":"2025-05-31","currency":"EUR","total":"100.00","status":"open","paid_on":null,"amount_due":null,"fx_rate":null,"source":"memory","updated_at":null}','{"file": "invoices.csv", "line": 10}',1,1,1);
INSERT INTO "records" VALUES('books','invoice','B','invoices','{"id":"B","customer_id":"c1","number":"B","issue_date":"2025-05-01","due_date":"2025-05-31","currency":"EUR","total":"0.10","status":"open","paid_on":null,"amount_due":null,"fx_rate":null,"source":"memory","updated_at":null}','{"file": "invoices.csv", "line": 11}',1,1,1);
INSERT INTO "records" VALUES('books','payment','P1','payments','{"id":"P1","customer_id":"c1","date":"2025-05-20","amount":"100.00","currency":"EUR","allocations":[{"invoice_id":"A","amount":"100.00","date":null}],"fx_rate":null,"source":"memory"}','{"file": "payments.csv", "line": 10}',1,1,1);
CREATE TABLE rejections (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            stream TEXT NOT NULL,
            sync_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            connector TEXT NOT NULL,
            record_id TEXT,
            field TEXT,
            reason TEXT NOT NULL,
            location TEXT,
            record TEXT
        );
INSERT INTO "rejections" VALUES(1,'books','invoices',1,'invoice','memory','BAD','total','missing field ''total''','{"file": "invoices.csv", "line": 12}','{"id": "BAD", "updated": "2025-05-01T00:00:00+00:00"}');
CREATE TABLE sources (
            source TEXT PRIMARY KEY,
            connector TEXT NOT NULL
        );
INSERT INTO "sources" VALUES('books','memory');
CREATE TABLE syncs (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL REFERENCES sources (source),
            connector TEXT NOT NULL,
            full_read INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
            pages INTEGER NOT NULL DEFAULT 0,
            new INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            removed INTEGER NOT NULL DEFAULT 0,
            error TEXT
        );
INSERT INTO "syncs" VALUES(1,'books','memory',0,'2025-06-01T12:00:00+00:00','2025-06-01T12:00:00+00:00','complete',7,4,0,0,1,0,NULL);
CREATE INDEX records_by_stream ON records (source, stream, seen_sync);
CREATE INDEX rejections_by_record ON rejections (source, stream, record_id);
COMMIT;
PRAGMA application_id = 1128743985;
PRAGMA user_version = 1;
