import { createRouter, createWebHistory } from 'vue-router'
import RegionPage from '@/pages/RegionPage.vue'

export function createCockpitRouter() {
  return createRouter({
    history: createWebHistory(import.meta.env.BASE_URL),
    routes: [
      { path: '/', name: 'city', component: RegionPage },
      { path: '/r/:regionId', name: 'region', component: RegionPage, props: true },
      { path: '/:unknown(.*)*', redirect: '/' },
    ],
  })
}
