import { onScopeDispose, ref, type Ref } from 'vue'

// Below this width the side menu becomes a drawer (phones, and tablets held upright).
export const kPhoneQuery = '(max-width: 767.98px)'

// Whether a CSS media query matches now; follows changes (rotation, resizing).
export function useMediaQuery(query: string): Ref<boolean> {
    const list = window.matchMedia(query)
    const matches = ref(list.matches)
    const update = (event: MediaQueryListEvent) => {
        matches.value = event.matches
    }
    list.addEventListener('change', update)
    onScopeDispose(() => list.removeEventListener('change', update))
    return matches
}
