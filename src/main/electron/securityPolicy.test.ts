import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appOrigins, CONTENT_SECURITY_POLICY, externalUrl, isAppUrl, withContentSecurityPolicy } from './securityPolicy';

const INDEX = pathToFileURL('/opt/RLMScope/out/renderer/index.html').href;

describe('app URLs', () => {
  it('are the built page, or the dev server when there is one', () => {
    const built = appOrigins({ indexFileUrl: INDEX });
    expect(isAppUrl(INDEX, built)).toBe(true);
    expect(isAppUrl(`${INDEX}#/runs`, built)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', built)).toBe(false);
    expect(isAppUrl('http://localhost:5173/', built)).toBe(false);

    const dev = appOrigins({ devServerUrl: 'http://localhost:5173/', indexFileUrl: INDEX });
    expect(isAppUrl('http://localhost:5173/src/main.ts', dev)).toBe(true);
    expect(isAppUrl(INDEX, dev)).toBe(false);
    expect(isAppUrl('https://localhost:5173/', dev)).toBe(false);
  });

  it('ignore an empty dev server URL', () => {
    expect(appOrigins({ devServerUrl: '', indexFileUrl: INDEX })).toEqual(appOrigins({ indexFileUrl: INDEX }));
  });
});

describe('externalUrl', () => {
  it('lets http and https through', () => {
    expect(externalUrl('https://arxiv.org/abs/2512.24601')).toBe('https://arxiv.org/abs/2512.24601');
    expect(externalUrl('http://example.com')).toBe('http://example.com/');
  });

  it('refuses every other scheme and anything that is not a URL', () => {
    for (const url of [
      'file:///Applications/Calculator.app',
      'smb://attacker/share/run.exe',
      'javascript:alert(1)',
      'ms-msdt:/id PCWDiagnostic',
      'vscode://file/etc/passwd',
      'mailto:someone@example.com',
      'data:text/html,<script>1</script>',
      'not a url',
      '',
    ]) {
      expect(externalUrl(url), url).toBeNull();
    }
  });
});

describe('Content-Security-Policy', () => {
  it('is strict', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
  });

  it('replaces any policy the response carried, whatever its letter case', () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ["default-src *"],
      'CONTENT-SECURITY-POLICY': ["script-src 'unsafe-eval'"],
      'Content-Type': ['text/html'],
    });
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });
});
