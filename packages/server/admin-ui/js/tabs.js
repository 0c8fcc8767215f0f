// @ts-check
import { $$ } from './dom.js';
import { load, render } from './list.js';
import { clearMessages } from './messages.js';
import { currentSection, setCurrentSection } from './store.js';

/**
 * The sections as tabs (WAI-ARIA tabs pattern): the arrow keys, Home and
 * End move between them; the URL hash remembers the one shown.
 */

/**
 * Shows the section named `wanted` (the first one if unknown), and reloads its list.
 *
 * @param {readonly import('./list.js').AnySection[]} sections
 * @param {string} wanted
 * @param {{ focus?: boolean, reload?: boolean }} [options]
 */
export function selectSection(sections, wanted, { focus = false, reload = true } = {}) {
  const section = sections.find((s) => s.name === wanted) ?? sections[0];
  if (section === undefined) return;
  setCurrentSection(section.name);
  for (const tab of $$('[role="tab"]')) {
    const selected = tab.dataset.section === section.name;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    if (selected && focus) tab.focus();
  }
  for (const panel of $$('[role="tabpanel"]')) panel.hidden = panel.id !== `panel-${section.name}`;
  if (location.hash !== `#${section.name}`) history.replaceState(null, '', `#${section.name}`);
  render(section);
  if (reload) load(section);
}

/**
 * @param {readonly import('./list.js').AnySection[]} sections
 * @param {() => boolean} signedIn
 */
export function wireTabs(sections, signedIn) {
  const names = sections.map((s) => s.name);
  for (const tab of $$('[role="tab"]')) {
    tab.addEventListener('click', () => {
      clearMessages();
      selectSection(sections, tab.dataset.section ?? '');
    });
    tab.addEventListener('keydown', (event) => {
      const index = names.indexOf(currentSection());
      const next = {
        ArrowRight: (index + 1) % names.length,
        ArrowLeft: (index - 1 + names.length) % names.length,
        Home: 0,
        End: names.length - 1,
      }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      selectSection(sections, names[next] ?? '', { focus: true });
    });
  }
  window.addEventListener('hashchange', () => {
    const name = location.hash.replace('#', '');
    if (signedIn() && names.includes(name) && name !== currentSection()) {
      selectSection(sections, name);
    }
  });
}
