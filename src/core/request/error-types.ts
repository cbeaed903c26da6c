/**
 * Every kind of failed call a record can hold, declared once: the request path writes them, the
 * archive reader accepts exactly these. `no_face`: the API found no face in an image (a failure to
 * acquire, never a non-match).
 */
export const ERROR_TYPES = ['http', 'network', 'timeout', 'aborted', 'invalid_json', 'not_run', 'no_face'] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];
