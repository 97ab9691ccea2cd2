import { computed, ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'

import { getStreetCoverage } from '@/api/followup'
import { listPlaces, listRounds } from '@/api/sampling'

// A round as the follow-up pages offer it for choice.
export interface RoundChoice {
    id: number
    name: string
    status?: string
    starts_at?: number
    community_id?: number
}

// The round a follow-up page shows: ?round= in the address bar, else the open round (the newest
// one when none is open). Loads the rounds the user may read once; `roundId` follows the choice
// into the address bar so a reload or a shared link shows the same round. When GET /rounds lists
// none (a grid worker's grant is over a grid, which the rounds list does not read), the rounds
// come from the street coverage: each community's latest open or last round.
export function useRoundChoice() {
    const route = useRoute()
    const router = useRouter()
    const rounds = ref<RoundChoice[]>([])
    const failure = ref<unknown>(null)
    const loaded = ref(false)
    const roundId = ref<number | null>(Number(route.query.round) || null)

    async function load(): Promise<void> {
        try {
            let list: RoundChoice[] = await listRounds()
            if (list.length === 0) list = await roundsFromStreetCoverage()
            rounds.value = [...list].sort((a, b) => (b.starts_at ?? 0) - (a.starts_at ?? 0))
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

async function roundsFromStreetCoverage(): Promise<RoundChoice[]> {
    const streets = await listPlaces().catch(() => [])
    const answers = await Promise.all(streets.map((street) => getStreetCoverage(street.id).catch(() => null)))
    const out: RoundChoice[] = []
    for (const answer of answers) {
        for (const row of answer?.rows ?? []) {
            if (row.round_id && !out.some((r) => r.id === row.round_id)) {
                out.push({ id: row.round_id, name: row.round_name ?? `#${row.round_id}`, community_id: row.community_id })
            }
        }
    }
    return out
}

// The round to show first: an open one (the latest started), else the latest.
export function defaultRound<T extends RoundChoice>(rounds: T[]): T | undefined {
    const sorted = [...rounds].sort((a, b) => (b.starts_at ?? 0) - (a.starts_at ?? 0))
    return sorted.find((r) => r.status === 'open') ?? sorted[0]
}
