import { computed, ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'

import { listRounds, type Round } from '@/api/sampling'

// The round a follow-up page shows: ?round= in the address bar, else the open round (the newest
// one when none is open). Loads the rounds the user may read once; `roundId` follows the choice
// into the address bar so a reload or a shared link shows the same round.
export function useRoundChoice() {
    const route = useRoute()
    const router = useRouter()
    const rounds = ref<Round[]>([])
    const failure = ref<unknown>(null)
    const loaded = ref(false)
    const roundId = ref<number | null>(Number(route.query.round) || null)

    async function load(): Promise<void> {
        try {
            rounds.value = [...(await listRounds())].sort((a, b) => b.starts_at - a.starts_at)
            failure.value = null
            if (!roundId.value) roundId.value = defaultRound(rounds.value)?.id ?? null
        } catch (error) {
            failure.value = error
        } finally {
            loaded.value = true
        }
    }

    watch(roundId, (id) => {
        if (Number(route.query.round) === id) return
        void router.replace({ query: { ...route.query, round: id ? String(id) : undefined, page: undefined } })
    })

    const round = computed(() => rounds.value.find((r) => r.id === roundId.value) ?? null)
    return { rounds, round, roundId, failure, loaded, load }
}

// The round to show first: an open one (the latest started), else the latest.
export function defaultRound(rounds: Round[]): Round | undefined {
    const sorted = [...rounds].sort((a, b) => b.starts_at - a.starts_at)
    return sorted.find((r) => r.status === 'open') ?? sorted[0]
}
