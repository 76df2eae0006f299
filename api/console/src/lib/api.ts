import type { ApiErrorBody, Route } from './types';

const KEY = 'kiln.apiKey';

/** An API answer other than 2xx, with the contract's error code and message (or what the transport said). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Kept for the tab only: closing it signs out, and no other site or tab can read it. */
export const auth = {
  key(): string | null {
    return sessionStorage.getItem(KEY);
  },
  set(key: string): void {
    sessionStorage.setItem(KEY, key);
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};

let onUnauthorized: () => void = () => {};

/** What to do when the key stops working (revoked, or a typo at sign-in): the app sends the user to sign in. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

/**
 * A path of the contract with its parameters filled in, e.g. path('/v1/admin/builds/{id}', { id }). The template
 * must be a route of openapi.yaml.
 */
export function path(template: Route, params: Record<string, string> = {}, query: Record<string, string | undefined> = {}): string {
  const filled = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const search = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => !!entry[1]));
  const q = search.toString();
  return q ? `${filled}?${q}` : filled;
}

export function authHeaders(): Record<string, string> {
  const key = auth.key();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** Turns a non-2xx answer into an ApiError; the server's JSON error body when there is one. */
export async function errorOf(response: Response): Promise<ApiError> {
  let body: ApiErrorBody | undefined;
  try {
    body = (await response.json()) as ApiErrorBody;
  } catch {
    body = undefined;
  }
  const error = body?.error;
  if (response.status === 401) {
    onUnauthorized();
  }
  const { code, message, ...details } = error ?? { code: `http_${response.status}`, message: response.statusText };
  return new ApiError(response.status, code, message, details);
}

export async function request<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, 'network_error', 'kiln-api did not answer; is it running?');
  }
  if (!response.ok) {
    throw await errorOf(response);
  }
  if (response.status === 204) {
    return undefined as T;
  }
  return (await response.json()) as T;
}

export const api = {
  get: <T>(url: string, signal?: AbortSignal) => request<T>('GET', url, undefined, signal),
  post: <T>(url: string, body?: unknown) => request<T>('POST', url, body ?? {}),
  put: <T>(url: string, body: unknown) => request<T>('PUT', url, body),
  del: (url: string) => request<void>('DELETE', url),
};

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * A multipart POST through XMLHttpRequest: fetch reports no upload progress, and the archive may be 100 MiB.
 */
export function upload<T>(url: string, form: FormData, onProgress: (progress: UploadProgress) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [name, value] of Object.entries(authHeaders())) {
      xhr.setRequestHeader(name, value);
    }
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (event) => onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : 0 });
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'the upload did not reach kiln-api'));
    xhr.onload = () => {
      const response = new Response(xhr.responseText || null, { status: xhr.status, statusText: xhr.statusText });
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(JSON.parse(xhr.responseText) as T);
      } else {
        errorOf(response).then(reject, reject);
      }
    };
    xhr.send(form);
  });
}
