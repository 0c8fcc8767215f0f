// @ts-check
/** DOM look-ups that fail loudly when the page and the script disagree. */

/**
 * The element `selector` finds, checked to be a `type` (default: any HTML element).
 *
 * @template {Element} T
 * @param {string} selector
 * @param {{ new (): T, prototype: T }} type
 * @param {ParentNode} [root]
 * @returns {T}
 */
export function $as(selector, type, root = document) {
  const found = root.querySelector(selector);
  if (!(found instanceof type)) throw new Error(`the page has no ${type.name} ${selector}`);
  return found;
}

/**
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {HTMLElement}
 */
export const $ = (selector, root = document) => $as(selector, HTMLElement, root);

/**
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {HTMLElement | null}
 */
export function $maybe(selector, root = document) {
  const found = root.querySelector(selector);
  return found instanceof HTMLElement ? found : null;
}

/**
 * Every HTML element `selector` finds.
 *
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {HTMLElement[]}
 */
export const $$ = (selector, root = document) =>
  Array.from(root.querySelectorAll(selector)).filter((e) => e instanceof HTMLElement);

/**
 * An input, select or textarea by selector.
 *
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {HTMLInputElement}
 */
export const input = (selector, root = document) => $as(selector, HTMLInputElement, root);

/**
 * @param {string} selector
 * @returns {HTMLDialogElement}
 */
export const dialog = (selector) => $as(selector, HTMLDialogElement);

/**
 * @param {string} selector
 * @returns {HTMLFormElement}
 */
export const form = (selector) => $as(selector, HTMLFormElement);

/**
 * A new element with text content (never HTML) and a class.
 *
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [text]
 * @param {string} [className]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}
