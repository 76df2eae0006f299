import { api, auth, path } from './api';
import type { Me } from './types';

/** The signed-in key: who it is and what the server says a client should show. */
export const session = $state<{ me: Me | null }>({ me: null });

export async function signIn(key: string): Promise<Me> {
  auth.set(key);
  try {
    const me = await api.get<Me>(path('/v1/me'));
    session.me = me;
    return me;
  } catch (e) {
    auth.clear();
    throw e;
  }
}

export function signOut(): void {
  auth.clear();
  session.me = null;
}

/** The workflow of a build in the Temporal UI, from the server's configured base URL. */
export function temporalLink(buildId: string): string | null {
  const settings = session.me?.settings;
  if (!settings?.temporal_ui_url) {
    return null;
  }
  const base = settings.temporal_ui_url.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(settings.temporal_namespace ?? 'default')}/workflows/build-${encodeURIComponent(buildId)}`;
}
