// A sound and a buzz for each answer, so the volunteer need not look at the phone in a crowd:
// one short high beep = sampled, two = sampled with a warning, one long low tone = refused.
// Browsers allow sound only after the user has touched the page; failing that, silence.
export type Tone = 'ok' | 'warning' | 'refused'

let audio: AudioContext | null = null

function beep(context: AudioContext, at: number, frequency: number, seconds: number): void {
    const oscillator = context.createOscillator()
    const gain = context.createGain()
    oscillator.frequency.value = frequency
    gain.gain.setValueAtTime(0.2, at)
    gain.gain.exponentialRampToValueAtTime(0.001, at + seconds)
    oscillator.connect(gain).connect(context.destination)
    oscillator.start(at)
    oscillator.stop(at + seconds)
}

export function signal(tone: Tone): void {
    try {
        navigator.vibrate?.(tone === 'ok' ? 60 : tone === 'warning' ? [60, 80, 60] : 400)
    } catch {
        // No vibration on this device.
    }
    try {
        const Context = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
        if (!Context) return
        audio ??= new Context()
        if (audio.state === 'suspended') void audio.resume()
        const now = audio.currentTime
        if (tone === 'ok') beep(audio, now, 1320, 0.09)
        else if (tone === 'warning') {
            beep(audio, now, 1320, 0.08)
            beep(audio, now + 0.14, 990, 0.08)
        } else beep(audio, now, 220, 0.45)
    } catch {
        // No sound: the screen still says it.
    }
}
