import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import DistillationDemo from './components/DistillationDemo.vue';
import GraphPicture from './components/GraphPicture.vue';
import './custom.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('DistillationDemo', DistillationDemo);
    app.component('GraphPicture', GraphPicture);
  },
} satisfies Theme;
