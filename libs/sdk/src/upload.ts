export interface UploadProgress {
  loaded: number;
  /** Null when the size is not known. */
  total: number | null;
}

export interface SendFormRequest {
  method: 'POST' | 'PUT';
  url: string;
  form: FormData;
  token?: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  /** Used where there is no XMLHttpRequest (Node): no progress then, but the same answer. */
  fetch: (request: Request) => Promise<Response>;
}

export interface SendFormResponse {
  /** 0 when no answer came (the connection failed or was cut). */
  status: number;
  /** Parsed JSON when the answer is JSON, else its text. */
  body: unknown;
  retryAfter: string | null;
}

/**
 * The part of XMLHttpRequest used here. Declared rather than taken from the DOM library,
 * so the SDK compiles for Node as well as for browsers.
 */
interface Xhr {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: FormData): void;
  abort(): void;
  getResponseHeader(name: string): string | null;
  readonly status: number;
  readonly responseText: string;
  upload: { addEventListener(type: 'progress', fn: (e: { loaded: number; total: number; lengthComputable: boolean }) => void): void };
  addEventListener(type: 'load' | 'error' | 'abort' | 'timeout', fn: () => void): void;
}

function parse(text: string, contentType: string | null): unknown {
  if (text.length > 0 && /\bjson\b/i.test(contentType ?? '')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Sends a multipart form, reporting the bytes sent (XMLHttpRequest: fetch cannot report upload progress). */
export async function sendForm(req: SendFormRequest): Promise<SendFormResponse> {
  const XhrClass = (globalThis as { XMLHttpRequest?: new () => Xhr }).XMLHttpRequest;
  if (!XhrClass) {
    const headers = new Headers();
    if (req.token) headers.set('authorization', `Bearer ${req.token}`);
    const res = await req.fetch(new Request(req.url, { method: req.method, body: req.form, headers, signal: req.signal }));
    const text = await res.text();
    return { status: res.status, body: parse(text, res.headers.get('content-type')), retryAfter: res.headers.get('retry-after') };
  }
  return new Promise((resolve, reject) => {
    const xhr = new XhrClass();
    xhr.open(req.method, req.url);
    if (req.token) xhr.setRequestHeader('authorization', `Bearer ${req.token}`);
    xhr.upload.addEventListener('progress', (e) => req.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : null }));
    xhr.addEventListener('load', () =>
      resolve({
        status: xhr.status,
        body: parse(xhr.responseText, xhr.getResponseHeader('content-type')),
        retryAfter: xhr.getResponseHeader('retry-after'),
      }),
    );
    // A server that refuses a body (413, 415) may answer and close before the browser
    // has sent it all; the browser then reports a network error without the answer.
    xhr.addEventListener('error', () => resolve({ status: 0, body: '', retryAfter: null }));
    xhr.addEventListener('timeout', () => resolve({ status: 0, body: '', retryAfter: null }));
    xhr.addEventListener('abort', () => reject(new DOMException('The upload was cancelled', 'AbortError')));
    if (req.signal?.aborted) {
      reject(new DOMException('The upload was cancelled', 'AbortError'));
      return;
    }
    req.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(req.form);
  });
}
