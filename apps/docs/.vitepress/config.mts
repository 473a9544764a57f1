import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DefaultTheme, defineConfig } from 'vitepress';

const apiSidebarFile = fileURLToPath(new URL('../api/typedoc-sidebar.json', import.meta.url));

/** The API sidebar TypeDoc wrote (empty when `vitepress dev` runs before `typedoc`). */
function apiSidebar(): DefaultTheme.SidebarItem[] {
  if (!existsSync(apiSidebarFile)) return [];
  return JSON.parse(readFileSync(apiSidebarFile, 'utf8')) as DefaultTheme.SidebarItem[];
}

const guideSidebar: DefaultTheme.SidebarItem[] = [
  {
    text: 'Guides',
    items: [
      { text: 'Getting started', link: '/guide/getting-started' },
      { text: 'Distilling with the trainer', link: '/guide/trainer' },
      { text: 'Running the bench', link: '/guide/bench' },
      { text: 'Choosing a backend', link: '/guide/backends' },
      { text: 'Datasets and offline use', link: '/guide/datasets' },
    ],
  },
  {
    text: 'The method',
    items: [
      { text: 'Similarity graphs', link: '/method/graphs' },
      { text: 'The losses', link: '/method/losses' },
    ],
  },
  { text: 'Results', link: '/results' },
  { text: 'Live demo', link: '/demo' },
];

export default defineConfig({
  title: 'geokd',
  description:
    'Geometric knowledge distillation for TensorFlow.js: match the similarity graphs of teacher and student.',
  lang: 'en-GB',
  cleanUrls: false,
  lastUpdated: false,
  // The folder's README is for contributors (how to build the site), not a page of the site.
  srcExclude: ['README.md'],
  // Dead links fail the build; links into /api/ resolve because `build` runs typedoc first.
  ignoreDeadLinks: false,
  markdown: { math: true },
  head: [['link', { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' }]],
  themeConfig: {
    logo: '/favicon.svg',
    nav: [
      { text: 'Guides', link: '/guide/getting-started' },
      { text: 'Method', link: '/method/graphs' },
      { text: 'API', link: '/api/' },
      { text: 'Results', link: '/results' },
      { text: 'Live demo', link: '/demo' },
    ],
    sidebar: {
      '/guide/': guideSidebar,
      '/method/': guideSidebar,
      '/results': guideSidebar,
      '/demo': guideSidebar,
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar() }],
    },
    search: { provider: 'local' },
    outline: { level: [2, 3] },
    footer: { message: 'MIT licensed. GKD: Lassance et al., ICASSP 2020.' },
  },
  vite: {
    // tfjs is large; the demo loads it on demand, in the browser only.
    build: {
      chunkSizeWarningLimit: 4000,
      rollupOptions: {
        onwarn(warning, warn) {
          // @geokd/backend imports Node built-ins (os, fs/promises, …) only on its Node paths
          // (threaded wasm, Dawn), which the browser never takes: Vite's stubs are never called.
          const fromBackend = /packages\/backend\/dist|@geokd\/backend/.test(warning.message);
          if (fromBackend && warning.message.includes('externalized for browser compatibility'))
            return;
          warn(warning);
        },
      },
    },
    optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
  },
});
