// 教室设备 end to end under the product's CSP: a projector PC signs in with its code; its
// school admin sees it signed in on the admin page, signs it out with 注销设备, and the PC is
// signed out at once. No page reports a Content-Security-Policy violation.
import type { Page } from '@playwright/test';
import { expect, test, type Actors, serverURL } from './fixtures.js';
import { ProductServer } from './harness.js';
import { signIn, signInDevice } from './actors.js';

const server = new ProductServer();

test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

const ADMIN_OF: Record<string, string> = { 青山村小学: 'qingshan-admin', 石桥乡中心小学: 'shiqiao-admin' };

test.use({ ...serverURL(server) });

/** A person's page that records every CSP violation (the browser's own event, and its console report). */
async function watched(actor: Actors['actor'], name: string, violations: string[]): Promise<Page> {
  const page = await actor(name);
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __csp: string[] }).__csp ??= [];
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return page;
}

const cspEvents = (page: Page) => page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);

test('a school admin sees its classroom PC signed in and signs it out at once', async ({ actor }, testInfo) => {
  const violations: string[] = [];
  const device = server.demo().deviceCodes.find((d) => ADMIN_OF[d.school])!;
  const projector = await watched(actor, 'projector', violations);
  await signInDevice(projector, device.code);

  const admin = await watched(actor, 'admin', violations);
  await signIn(server, admin, ADMIN_OF[device.school]);
  await admin.getByTestId('nav-admin').click();
  await expect(admin.getByTestId('admin-page')).toBeVisible();
  const row = admin.locator('.device-row', { hasText: device.classroom });
  await expect(row.locator('.device-status')).toHaveAttribute('data-signed-in', 'true');
  await expect(row.locator('.device-status')).toContainText('已登录 1 台设备');
  await admin.screenshot({ path: testInfo.outputPath('admin-devices.png'), fullPage: true });

  admin.once('dialog', (d) => void d.accept());
  await row.getByRole('button', { name: '注销设备' }).click();
  await expect(row.locator('.device-status')).toHaveAttribute('data-signed-in', 'false');
  await expect(row.locator('.device-status')).toHaveText('未登录设备');
  await admin.screenshot({ path: testInfo.outputPath('admin-devices-revoked.png'), fullPage: true });

  // The PC is signed out: its next request is refused.
  expect(await projector.evaluate(() => fetch('/api/me').then((r) => r.status))).toBe(401);

  expect(await cspEvents(projector)).toEqual([]);
  expect(await cspEvents(admin)).toEqual([]);
  expect(violations).toEqual([]);
});
