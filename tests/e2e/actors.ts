// How the scenarios' actors sign in, the way people do: a teacher or researcher with a
// password, a classroom's projector PC once with its device code (then it sits on the idle screen).
import { expect, type Page } from '@playwright/test';
import type { Actors } from './fixtures.js';
import type { ProductServer } from './harness.js';

export async function signIn(server: ProductServer, page: Page, username: string): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(server.demo().password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('home-page')).toBeVisible();
}

/** A person signed in with a password, on a page (in a context) of their own. */
export async function signedIn(server: ProductServer, actor: Actors['actor'], username: string): Promise<Page> {
  const page = await actor(username);
  await signIn(server, page, username);
  return page;
}

export async function signInDevice(page: Page, code: string): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-tab-device').click();
  await page.getByTestId('device-code').fill(code);
  await page.getByTestId('device-submit').click();
  await expect(page.getByTestId('idle-projector')).toBeVisible();
}
