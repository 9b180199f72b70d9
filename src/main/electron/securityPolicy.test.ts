import { describe, expect, it } from 'vitest';
import { appOrigins, CONTENT_SECURITY_POLICY, externalUrl, isAppUrl, withContentSecurityPolicy } from './securityPolicy';

const INDEX = 'app://rlmscope/index.html';

describe('app URLs', () => {
  it('are the app scheme in a built app, and the dev server alone in development', () => {
    const built = appOrigins();
    expect(built).toEqual(['app://rlmscope']);
    expect(isAppUrl(INDEX, built)).toBe(true);
    expect(isAppUrl(`${INDEX}#/runs`, built)).toBe(true);
    expect(isAppUrl('app://rlmscope/assets/editor.worker-x1.js', built)).toBe(true);
    expect(isAppUrl('app://other/index.html', built)).toBe(false);
    expect(isAppUrl('http://localhost:5173/', built)).toBe(false);

    const dev = appOrigins({ devServerUrl: 'http://localhost:5173/' });
    expect(isAppUrl('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAppUrl(INDEX, dev)).toBe(false);
    expect(isAppUrl('https://localhost:5173/', dev)).toBe(false);
  });

  it('never include a local file, not even the built page', () => {
    for (const origins of [appOrigins(), appOrigins({ devServerUrl: 'http://localhost:5173/' })]) {
      expect(isAppUrl('file:///opt/RLMScope/out/renderer/index.html', origins)).toBe(false);
      expect(isAppUrl('file:///etc/passwd', origins)).toBe(false);
    }
  });

  it('ignore an empty dev server URL and refuse an unusable one', () => {
    expect(appOrigins({ devServerUrl: '' })).toEqual(appOrigins());
    expect(() => appOrigins({ devServerUrl: 'file:///tmp/index.html' })).toThrow(/unusable/);
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
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    // Nothing remote: no host, scheme-wide or wildcard source anywhere.
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|wss?:|\*/);
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
