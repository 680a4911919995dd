import { createApp } from 'vue'
import App from './App.vue'
import { createCockpitRouter } from './router'
import './styles/theme.css'

createApp(App).use(createCockpitRouter()).mount('#app')
