// One page of a stored document, read with documents.read when the offset changes. The page on
// screen stays while the next loads; an answer for an offset left behind is dropped.
import { useEffect, useState } from 'react';
import type { RlmApi } from '../../../../shared/api';
import type { DocumentPage } from '../../../../shared/api/documents';
import { errorText } from '../../../api/errors';
import { PAGE_BYTES } from './documentPaging';

export interface PageView {
  page: DocumentPage | null;
  loading: boolean;
  error: string | null;
}

export function useDocumentPage(api: RlmApi, runId: string, hash: string, offset: number): PageView {
  const [state, setState] = useState<{ key: string; page: DocumentPage | null; error: string | null }>({ key: '', page: null, error: null });
  const key = `${hash}@${offset}`;
  useEffect(() => {
    let current = true;
    api.call('documents.read', { runId, hash, offset, length: PAGE_BYTES }).then(
      (page) => current && setState({ key, page, error: null }),
      (error: unknown) => current && setState((s) => ({ key, page: s.page, error: errorText(error) })),
    );
    return () => {
      current = false;
    };
  }, [api, runId, hash, offset, key]);
  const sameDocument = state.page !== null && state.key.startsWith(`${hash}@`);
  return { page: sameDocument ? state.page : null, loading: state.key !== key, error: state.key === key ? state.error : null };
}
