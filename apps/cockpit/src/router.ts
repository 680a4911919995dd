import { createRouter, createWebHistory } from 'vue-router'
import HistoryPage from '@/pages/HistoryPage.vue'
import RegionPage from '@/pages/RegionPage.vue'

export function createCockpitRouter() {
  return createRouter({
    history: createWebHistory(import.meta.env.BASE_URL),
    routes: [
      { path: '/', name: 'city', component: RegionPage },
      { path: '/r/:regionId', name: 'region', component: RegionPage, props: true },
      // Analysts: ?region&metric&range&compare, every choice in the address so a view can be shared.
      { path: '/history', name: 'history', component: HistoryPage },
      { path: '/:unknown(.*)*', redirect: '/' },
    ],
  })
}
