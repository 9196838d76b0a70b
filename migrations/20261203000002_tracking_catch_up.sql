-- When a connection's tracking pull last re-read the labels of every order still waiting to
-- ship, past the watermark's overlap: a label ShipStation lists later than the overlap allows
-- (indexed late, or created with an earlier date) is found by that pass, once a day.
ALTER TABLE connections ADD COLUMN shipments_caught_up_at timestamptz;
