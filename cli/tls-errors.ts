/**
 * Recognises a failed certificate check anywhere in an error's cause chain, so every client
 * command can say what to do about it in the same words.
 * @module
 */

/** OpenSSL/Node codes of a certificate the client could not verify. */
const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** OpenSSL's messages for the same, for errors that lost their code on the way (basic-ftp, nodemailer). */
const CERT_MESSAGE =
  /unable to verify the first certificate|self[- ]signed certificate|certificate has expired|unable to get (local )?issuer certificate|Hostname\/IP does not match certificate/i;

/** True when `err` or one of its causes is a certificate that could not be verified. */
export function isCertificateFailure(err: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && CERT_CODES.has(code)) return true;
    if (typeof message === 'string' && CERT_MESSAGE.test(message)) return true;
    e = cause;
  }
  return false;
}

/** What to do about it, appended to the failure line. */
export const CERTIFICATE_HINT =
  "the server's certificate is not trusted: give --cacert FILE (a suite's CA is DATA/tls/ca.pem, printed by minisuite tls ca) or the suite's data folder (--data DIR; for http --suite-data DIR); --insecure skips the check";
