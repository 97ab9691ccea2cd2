import { computed, ref } from 'vue'

import { listPlaces, type PlaceCommunity, type PlaceStreet } from '@/api/sampling'

// The registry's places the user may see (GET /places), loaded once per page: the communities
// to choose a round's or a site's community from, with their grids and buildings.
export function usePlaces() {
    const streets = ref<PlaceStreet[]>([])
    const failure = ref<unknown>(null)
    const loading = ref(false)

    async function load(): Promise<void> {
        loading.value = true
        try {
            streets.value = await listPlaces()
            failure.value = null
        } catch (error) {
            failure.value = error
        } finally {
            loading.value = false
        }
    }

    const communities = computed<PlaceCommunity[]>(() => streets.value.flatMap((street) => street.communities))
    const community = (id: number | null | undefined) => communities.value.find((c) => c.id === id) ?? null
    const communityName = (id: number) => community(id)?.name ?? `#${id}`

    return { streets, communities, community, communityName, failure, loading, load }
}
