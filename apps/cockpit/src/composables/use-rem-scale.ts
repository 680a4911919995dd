import { onScopeDispose, readonly, ref, type Ref } from 'vue'

const BASE_FONT_PX = 16
const scale = ref(1)
let users = 0

function measure() {
  const px = Number.parseFloat(getComputedStyle(document.documentElement).fontSize)
  scale.value = Number.isFinite(px) && px > 0 ? px / BASE_FONT_PX : 1
}

/**
 * The root font size over 16 px. The layout is sized in rem (1 rem = 16 px at 1920×1080, 32 px at
 * 3840×2160); ECharts sizes text in px, so chart options multiply their sizes by this.
 */
export function useRemScale(): Readonly<Ref<number>> {
  if (users === 0) {
    measure()
    window.addEventListener('resize', measure)
  }
  users += 1
  onScopeDispose(() => {
    users -= 1
    if (users === 0) {
      window.removeEventListener('resize', measure)
    }
  })
  return readonly(scale)
}
