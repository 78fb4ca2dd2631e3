/**
 * pg as this package uses it: loaded on first connection (one chunk with its helpers), its
 * SCRAM arithmetic done by node:crypto (see scram.ts).
 */
import pg from 'pg';
import utils from 'pg/lib/crypto/utils';
import { useNodeCryptoForScram } from './scram';

useNodeCryptoForScram(utils);

export default pg;
