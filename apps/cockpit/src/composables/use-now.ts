import { onScopeDispose, readonly, ref, type Ref } from 'vue'

const now = ref(Date.now())
let users = 0
let timer: ReturnType<typeof setInterval> | undefined

/** The current time in epoch ms, ticking once a second; one timer shared by every user. */
export function useNow(): Readonly<Ref<number>> {
  users += 1
  if (timer === undefined) {
    now.value = Date.now()
    timer = setInterval(() => {
      now.value = Date.now()
    }, 1_000)
  }
  onScopeDispose(() => {
    users -= 1
    if (users === 0 && timer !== undefined) {
      clearInterval(timer)
      timer = undefined
    }
  })
  return readonly(now)
}
