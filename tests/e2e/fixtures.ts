// The scenarios' people as Playwright fixtures: `actor(name)` opens a page in a browser context
// of its own (its own cookies and storage, like a separate device), with the test's options
// (`test.use({ ...serverURL(server), … })`); every context is closed after the test, and on a
// failure each actor's last screen is attached under its name.
import { test as base, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';

export interface Actors {
  /** A new person's page; `options` add to the test's context options (e.g. a device's permissions). */
  actor(name: string, options?: BrowserContextOptions): Promise<Page>;
}

export const test = base.extend<Actors>({
  actor: async ({ browser, baseURL, locale, timezoneId, acceptDownloads }, use, testInfo) => {
    const opened: { name: string; context: BrowserContext; page: Page }[] = [];
    await use(async (name, options) => {
      const context = await browser.newContext({ baseURL, locale, timezoneId, acceptDownloads, ...options });
      const page = await context.newPage();
      opened.push({ name, context, page });
      return page;
    });
    for (const { name, context, page } of opened) {
      if (testInfo.status !== testInfo.expectedStatus && !page.isClosed()) {
        const shot = await page.screenshot().catch(() => null);
        if (shot) await testInfo.attach(`${name}.png`, { body: shot, contentType: 'image/png' });
      }
      await context.close();
    }
  },
});

/** The test's base URL from a server started in `beforeAll`, read when a test runs (not when the
 * file is loaded, which also happens in Playwright's runner process): `test.use(serverURL(server))`. */
export function serverURL(server: { url: string }) {
  return { baseURL: async ({}, use: (url: string) => Promise<void>) => use(server.url) };
}

export { expect } from '@playwright/test';
