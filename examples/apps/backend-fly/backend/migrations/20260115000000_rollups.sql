CREATE TABLE daily_rollups (day date PRIMARY KEY, events integer NOT NULL, leads integer NOT NULL);
