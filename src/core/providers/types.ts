/**
 * A provider definition: everything that differs between face-match vendors, as data a user can
 * write (see schema.ts for its validation and docs/providers.md for the format). The presets
 * (presets.ts) are definitions like any other: no module branches on a provider id.
 *
 * Template strings (request fields, headers, JSON bodies) may hold `{{image1}}`, `{{image2}}`,
 * `{{image1.base64}}`, `{{image1.dataUrl}}` (and the same for image2), `{{unique_id}}`, `{{uuid}}`
 * (new per call), `{{credentials.<key>}}` and `{{steps.<id>.<name>}}`; see template.ts.
 * Substitution only: a definition never holds code.
 */

/** The version of the definition format this build reads. */
export const DEFINITION_VERSION = 1;

/** A credential key, e.g. `token`, `api_key`; the CLI reads it from FACEMATCH_CRED_<KEY>. */
export type CredentialKey = string;

export interface CredentialField {
  key: CredentialKey;
  label: string;
  /** Rendered as a password field, masked in cURL and never written to the archive. */
  secret: boolean;
  /** A call can be made without it (e.g. an AWS session token). */
  optional?: boolean;
}

/** A request header (or, in `authFields`, a body field) whose value comes from one credential. */
export interface HeaderRule {
  name: string;
  from: CredentialKey;
  /** Prepended to the credential, e.g. "Bearer ". */
  prefix?: string;
}

export type BodyEncoding = 'multipart' | 'json' | 'urlencoded' | 'octet';

/** One named field whose value is a template string. */
export interface FieldTemplate {
  name: string;
  value: string;
}

/** The body of a call (and of each preparatory step), as templates. */
export interface RequestTemplate {
  encoding: BodyEncoding;
  /** multipart / urlencoded: the fields in order; a field whose value comes out empty is left out. */
  fields?: readonly FieldTemplate[];
  /** json: any JSON value; every string in it is a template, other values are sent as written. */
  json?: unknown;
  /** octet: the one template the body is, e.g. `{{image1}}`. */
  octet?: string;
  /** Extra headers (e.g. `transactionId: {{uuid}}`); one that comes out empty is left out. */
  headers?: readonly FieldTemplate[];
}

/** How to exchange credentials for a bearer token (Deepvue's /v1/authorize is one). */
export interface TokenEndpoint {
  path: string;
  /** Body encoding of the login call: urlencoded (the default) or json. */
  encoding?: 'urlencoded' | 'json';
  /** Body field name for each credential sent. */
  fields: Readonly<Record<CredentialKey, string>>;
  /** Where the token sits in the JSON answer. */
  tokenPath: readonly string[];
  /** Where the ISO expiry sits in the JSON answer, when the API gives one. */
  expiryPath?: readonly string[];
  /** Token lifetime in seconds, when the answer gives no expiry. */
  lifetimeSeconds?: number;
}

export type JsonPath = readonly string[];

/** A response field written to its own summary.xlsx column, as sent. */
export interface ReportField {
  header: string;
  path: JsonPath;
  /** Excel number format for numeric values. */
  numFmt?: string;
  /** Column width in characters. */
  width: number;
}

/** A condition on an answer; every part given must hold. */
export interface AnswerRule {
  /** HTTP statuses the rule applies to (any when absent). */
  status?: readonly number[];
  /** The body value the rule looks at (`[]` for the whole body). */
  path?: JsonPath;
  /** The value equals this (strings compared without case). */
  equals?: string | number | boolean;
  /** The value, as text, contains this (without case). */
  contains?: string;
  /** The value is missing, null, an empty string, array or object. */
  empty?: boolean;
}

/** A call made before the main one, whose captured values the main call's templates use. */
export interface PrepareStep {
  id: string;
  path: string;
  request: RequestTemplate;
  /** Values to keep from its 2xx answer; a missing one means no face was found (`no_face`). */
  capture: Readonly<Record<string, JsonPath>>;
}

/** Requests signed with AWS Signature Version 4; credentials `access_key_id`, `secret_access_key`, `session_token`, `region`. */
export interface SigV4Auth {
  kind: 'aws-sigv4';
  service: string;
}

export interface ProviderContract {
  /** Definition format version (DEFINITION_VERSION). */
  version?: number;
  id: string;
  label: string;
  /** Where the Provider select lists it. */
  group?: string;
  /** Vendor document the definition follows. */
  docs?: string;
  /** Endpoint path appended to the base URL (never a host). */
  path: string;
  /** The names of the first and second image as the API calls them, in slot order. */
  imageFields: readonly [string, string];
  /** The optional correlation id's field, when the API has one. */
  uniqueIdField?: string;
  /** The body, when it is not the default (multipart of imageFields, then uniqueIdField). */
  request?: RequestTemplate;
  /** Credentials the settings panel asks for, in display order. */
  credentials: readonly CredentialField[];
  /** Headers built from the credentials. */
  headers: readonly HeaderRule[];
  /** Body fields built from the credentials (e.g. Face++'s api_key and api_secret). */
  authFields?: readonly HeaderRule[];
  tokenEndpoint?: TokenEndpoint;
  /** Request signing done by code behind the same interface (AWS). */
  signing?: SigV4Auth;
  /** Calls made first, in order (Azure's two detects before verify). */
  steps?: readonly PrepareStep[];
  /** A 2xx answer counts as a success only when this holds too (e.g. Karza's statusCode "101"). */
  success?: AnswerRule;
  /**
   * Where the verdict sits and which value means "match"; without a path the verdict is
   * score >= threshold.
   */
  verdict: { path?: JsonPath; matchValue?: string | boolean };
  /**
   * Where the score sits and its scale (1 for 0–1, 100 for 0–100). Absent for an API that answers
   * a verdict without a number (HyperVerge's yes/no with high/low): the score is then empty.
   */
  confidence?: { path: JsonPath; scale: number };
  /** The threshold on the score's own scale: fixed, or a path in the answer. */
  threshold?: { value?: number; path?: JsonPath };
  /** Answers that mean no face was found: error type `no_face`, a failure to acquire. */
  noFace?: readonly AnswerRule[];
  /** Where the vendor's transaction id sits. */
  transactionIdPath?: JsonPath;
  /** Where the credits consumed sit, when the API reports them. */
  credits?: { path: JsonPath };
  /**
   * Response fields summary.xlsx keeps in their own columns exactly as the API sent them, beside
   * the normalised ones (e.g. Deepvue's 0–100 confidence and its transaction_id for a dispute).
   */
  reportFields?: readonly ReportField[];
  /** Paths tried in order to find a human-readable error message in an error body. */
  errorMessagePaths: readonly JsonPath[];
  /** Image types the API documents as accepted (MIME types). */
  acceptedTypes: readonly string[];
  /** Largest image the API documents, in bytes. */
  maxImageBytes: number;
  /** Base path of the reference server's emulator of this API ('' for the server's root). */
  demoBasePath?: string;
}
