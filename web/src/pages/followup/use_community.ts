import { computed, ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'

import { listPlaces, type PlaceCommunity } from '@/api/sampling'

// The community a street-office page shows: ?community= in the address bar, else the first the
// user may see (GET /places).
export function useCommunityChoice() {
    const route = useRoute()
    const router = useRouter()
    const communities = ref<PlaceCommunity[]>([])
    const communityId = ref<number | null>(Number(route.query.community) || null)
    const failure = ref<unknown>(null)
    const loaded = ref(false)

    async function load(): Promise<void> {
        try {
            communities.value = (await listPlaces()).flatMap((s) => s.communities)
            failure.value = null
            if (!communityId.value) communityId.value = communities.value[0]?.id ?? null
        } catch (error) {
            failure.value = error
        } finally {
            loaded.value = true
        }
    }

    watch(communityId, (id) => {
        if (Number(route.query.community) === id) return
        void router.replace({ query: { ...route.query, community: id ? String(id) : undefined } })
    })

    const community = computed(() => communities.value.find((c) => c.id === communityId.value) ?? null)
    return { communities, community, communityId, failure, loaded, load }
}
