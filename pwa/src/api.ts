/** The API client: bearer token, JSON bodies, and flask-smorest's error shape turned into an `ApiError`. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Field messages from `errors.json.<field>` (or `errors.query.<field>`), flattened to dotted paths. */
    readonly fields: Record<string, string[]> = {},
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The request never got an answer (offline, connection dropped): nothing can be concluded. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "NetworkError";
  }
}

let token: string | null = null;
let csrf: string | null = null;
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let fetchImpl: typeof fetch = (...args) => fetch(...args);
const connectivity = new Set<(reachable: boolean) => void>();

/** Be told whether the server answered the last request (the browser's `onLine` can say true offline). */
export function onConnectivity(listener: (reachable: boolean) => void): () => void {
  connectivity.add(listener);
  return () => connectivity.delete(listener);
}

function reachable(value: boolean): void {
  for (const listener of connectivity) listener(value);
}

export function setToken(value: string | null): void {
  token = value;
}

/** Cookie sessions (the office app): the CSRF token sent with every unsafe request. */
export function setCsrfToken(value: string | null): void {
  csrf = value;
}

/** Swap the transport (tests use a fake server). */
export function setFetch(impl: typeof fetch): void {
  fetchImpl = impl;
}

function flatten(value: unknown, prefix: string, into: Record<string, string[]>): void {
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
    into[prefix] = value as string[];
  } else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else if (typeof value === "string") {
    into[prefix] = [value];
  }
}

async function toError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const fields: Record<string, string[]> = {};
  const errors = (body as { errors?: Record<string, unknown> } | null)?.errors;
  if (errors) {
    for (const location of ["json", "query", "form", "files", "headers"]) {
      if (errors[location]) flatten(errors[location], "", fields);
    }
  }
  const message =
    (body as { message?: string } | null)?.message ??
    Object.values(fields)[0]?.[0] ??
    response.statusText ??
    `HTTP ${response.status}`;
  return new ApiError(response.status, Object.values(fields)[0]?.[0] ?? message, fields, body);
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Resolve to null on 404 instead of throwing. */
  allow404?: boolean;
  /** Abandon the request (a newer one replaced it). */
  signal?: AbortSignal;
}

export async function request(path: string, options: RequestOptions = {}): Promise<Response | null> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  const method = options.method ?? "GET";
  if (token) headers.Authorization = `Bearer ${token}`;
  if (csrf && UNSAFE.has(method)) headers["X-CSRFToken"] = csrf;
  let body = options.body;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  }
  let response: Response;
  try {
    response = await fetchImpl(path, { method, headers, body, cache: "no-store", signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    reachable(false);
    throw new NetworkError(error);
  }
  reachable(true);
  if (response.status === 404 && options.allow404) return null;
  if (!response.ok) throw await toError(response);
  return response;
}

/** A JSON request; the parsed body, or null for 204 (and for 404 with `allow404`). */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await request(path, options);
  if (!response || response.status === 204) return null as T;
  try {
    return (await response.json()) as T;
  } catch (error) {
    // The body was cut off: the answer is unknown, as if the connection had dropped.
    throw new NetworkError(error);
  }
}
