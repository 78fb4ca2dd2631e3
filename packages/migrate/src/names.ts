/**
 * The tracking table's schema and name as action inputs accept them. No imports: action
 * contracts import this module alone (`@deploy-actions/migrate/names`), so checking an input
 * never loads the engine.
 */

/** An unquoted PostgreSQL identifier (NAMEDATALEN 64: at most 63 bytes). */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** Input specs' pattern and wording for the tracking table's schema and name. */
export const TRACKING_SCHEMA = { pattern: IDENTIFIER, expected: 'a schema name (letters, digits, _)' };
export const TRACKING_TABLE = { pattern: IDENTIFIER, expected: 'a table name (letters, digits, _)' };
