// AlterUserScramCredentials on the controller (Kafka's ScramControlManager.alterCredentials) and
// DescribeUserScramCredentials on a broker's image (ScramImage.describe): pure functions of the
// image, the records to commit and the answer. A user named twice in one request is
// DUPLICATE_RESOURCE; the client sends the salted password, the controller keeps only the keys.
import { ErrorCode } from '../../protocol/errors.js';
import type { AlterUserScramCredentialsRequest } from '../../protocol/generated/alter-user-scram-credentials-request.js';
import type { AlterUserScramCredentialsResponse } from '../../protocol/generated/alter-user-scram-credentials-response.js';
import type { DescribeUserScramCredentialsRequest } from '../../protocol/generated/describe-user-scram-credentials-request.js';
import type { DescribeUserScramCredentialsResponse } from '../../protocol/generated/describe-user-scram-credentials-response.js';
import type { MetadataImage } from '../../metadata/image.js';
import type { MetadataRecord } from '../../metadata/records.js';
import { scramCredentialRecord, SecurityRecordType } from '../../metadata/security-image.js';
import { clientKey, scramMechanismByType, serverKey, storedKey, type ScramMechanismInfo } from './scram-formatter.js';

/** ScramControlManager.MAX_ITERATIONS. */
const MAX_ITERATIONS = 16384;
const DUPLICATE = 'A user credential cannot be altered twice in the same request';

interface ApiError {
  errorCode: number;
  errorMessage: string;
}

function validateName(name: string, mechanism: ScramMechanismInfo | undefined): ApiError | null {
  if (name === '') return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Username must not be empty' };
  if (!mechanism) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, errorMessage: 'Unknown SCRAM mechanism' };
  return null;
}

export function alterUserScramCredentials(
  image: MetadataImage,
  req: AlterUserScramCredentialsRequest,
): { records: MetadataRecord[]; response: AlterUserScramCredentialsResponse } {
  const deletions = new Map<string, AlterUserScramCredentialsRequest['deletions'][number]>();
  const upsertions = new Map<string, AlterUserScramCredentialsRequest['upsertions'][number]>();
  const errors = new Map<string, ApiError>();
  for (const d of req.deletions) {
    if (errors.has(d.name)) continue;
    if (deletions.delete(d.name)) {
      errors.set(d.name, { errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: DUPLICATE });
      continue;
    }
    const error =
      validateName(d.name, scramMechanismByType(d.mechanism)) ??
      (image.scram.get(d.mechanism, d.name) ? null : { errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to delete a user credential that does not exist' });
    if (error) errors.set(d.name, error);
    else deletions.set(d.name, d);
  }
  for (const u of req.upsertions) {
    if (errors.has(u.name)) continue;
    if (deletions.delete(u.name) || upsertions.delete(u.name)) {
      errors.set(u.name, { errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: DUPLICATE });
      continue;
    }
    const mechanism = scramMechanismByType(u.mechanism);
    let error = validateName(u.name, mechanism);
    if (!error && u.iterations < mechanism!.minIterations) error = { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too few iterations' };
    else if (!error && u.iterations > MAX_ITERATIONS) error = { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too many iterations' };
    if (error) errors.set(u.name, error);
    else upsertions.set(u.name, u);
  }
  const records: MetadataRecord[] = [];
  const results: AlterUserScramCredentialsResponse['results'] = [];
  for (const d of deletions.values()) {
    results.push({ user: d.name, errorCode: ErrorCode.NONE, errorMessage: null });
    records.push({ type: SecurityRecordType.REMOVE_USER_SCRAM_CREDENTIAL, version: 0, data: { name: d.name, mechanism: d.mechanism } });
  }
  for (const u of upsertions.values()) {
    const m = scramMechanismByType(u.mechanism)!;
    const salted = Buffer.from(u.saltedPassword);
    records.push(
      scramCredentialRecord(u.mechanism, u.name, { salt: Buffer.from(u.salt), storedKey: storedKey(m, clientKey(m, salted)), serverKey: serverKey(m, salted), iterations: u.iterations }),
    );
    results.push({ user: u.name, errorCode: ErrorCode.NONE, errorMessage: null });
  }
  for (const [user, e] of errors) results.push({ user, ...e });
  return { records, response: { throttleTimeMs: 0, results } };
}

export function describeUserScramCredentials(image: MetadataImage, req: DescribeUserScramCredentialsRequest): DescribeUserScramCredentialsResponse {
  // user -> named more than once
  const users = new Map<string, boolean>();
  if (!req.users || req.users.length === 0) {
    for (const byUser of image.scram.byMechanism.values()) for (const user of byUser.keys()) users.set(user, false);
  } else {
    for (const { name } of req.users) users.set(name, users.has(name));
  }
  const results: DescribeUserScramCredentialsResponse['results'] = [];
  for (const [user, duplicate] of users) {
    if (duplicate) {
      results.push({
        user,
        errorCode: ErrorCode.DUPLICATE_RESOURCE,
        errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`,
        credentialInfos: [],
      });
      continue;
    }
    const credentialInfos = [...image.scram.byMechanism]
      .sort((a, b) => a[0] - b[0])
      .flatMap(([mechanism, byUser]) => {
        const c = byUser.get(user);
        return c ? [{ mechanism, iterations: c.iterations }] : [];
      });
    if (credentialInfos.length > 0) results.push({ user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos });
    else results.push({ user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
}
