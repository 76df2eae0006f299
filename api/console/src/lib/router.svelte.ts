// A history router for the one-page console: paths under /console/, the query string as page state (filters,
// ranges, pages), so every view is a link that can be shared and reloaded. kiln-api answers every /console/ path
// that is not a file with index.html, so deep links load the app.

export const BASE = '/console';

export const location = $state({ path: '/', query: new URLSearchParams() });

function read(): void {
  const full = window.location.pathname;
  location.path = full.startsWith(BASE) ? full.slice(BASE.length) || '/' : full;
  location.query = new URLSearchParams(window.location.search);
}

export function startRouter(): void {
  read();
  window.addEventListener('popstate', read);
  // Links inside the console change the page without a reload; modified clicks (new tab) stay the browser's.
  document.addEventListener('click', (event) => {
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    const href = anchor.getAttribute('href');
    if (!href || !href.startsWith(`${BASE}/`) || anchor.target) {
      return;
    }
    event.preventDefault();
    navigate(href);
  });
}

/** A console URL for a path inside it, e.g. href('/builds/bld-1'). */
export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => !!entry[1]));
  const q = search.toString();
  return `${BASE}${path}${q ? `?${q}` : ''}`;
}

export function navigate(url: string, replace = false): void {
  if (replace) {
    history.replaceState(null, '', url);
  } else {
    history.pushState(null, '', url);
  }
  read();
  if (!replace) {
    window.scrollTo(0, 0);
  }
}

/** Changes query parameters of the current page in place (no new history entry per keystroke). */
export function setQuery(changes: Record<string, string | undefined>): void {
  const query = new URLSearchParams(window.location.search);
  for (const [name, value] of Object.entries(changes)) {
    if (value) {
      query.set(name, value);
    } else {
      query.delete(name);
    }
  }
  const q = query.toString();
  navigate(`${window.location.pathname}${q ? `?${q}` : ''}`, true);
}
