/** Frames wider than this are scaled down: enough to read a screen, small enough to upload. */
const MAX_WIDTH = 1600

/**
 * The shared screen as Work View frames: the stream plays in a hidden video element and a
 * frame is drawn from it onto a canvas when the tracker asks for one.
 */
export class ScreenCapture {
  private readonly video: HTMLVideoElement

  /** `onEnded`: the person stopped sharing from the browser's own controls. */
  constructor(
    private readonly stream: MediaStream,
    onEnded: () => void,
  ) {
    const video = document.createElement('video')
    video.muted = true
    video.playsInline = true
    video.srcObject = stream
    // In the document (invisible), so the browser keeps decoding frames as for any playing video.
    video.setAttribute('aria-hidden', 'true')
    video.style.cssText = 'position:fixed;left:0;bottom:0;width:2px;height:2px;opacity:0;pointer-events:none'
    document.body.appendChild(video)
    void video.play().catch(() => {})
    this.video = video
    for (const track of stream.getVideoTracks()) track.addEventListener('ended', onEnded)
  }

  /** The current frame as WebP (JPEG where the browser cannot encode WebP); null: no frame came. */
  async grab(): Promise<Blob | null> {
    const video = this.video
    if (video.readyState < 2 || !video.videoWidth) {
      // The first frame has not arrived yet (a slow machine): wait for it, a few seconds at most.
      void video.play().catch(() => {})
      await new Promise<void>((resolve) => {
        const done = () => resolve()
        video.addEventListener('loadeddata', done, { once: true })
        video.addEventListener('playing', done, { once: true })
        setTimeout(done, 5000)
      })
      if (video.readyState < 2 || !video.videoWidth) return null
    }
    const scale = Math.min(1, MAX_WIDTH / video.videoWidth)
    const canvas = document.createElement('canvas')
    canvas.width = Math.round(video.videoWidth * scale)
    canvas.height = Math.round(video.videoHeight * scale)
    canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height)
    const webp = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/webp', 0.8))
    // Browsers without a WebP encoder hand back PNG: ask for JPEG instead (smaller).
    if (webp && webp.type === 'image/webp') return webp
    return new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.8))
  }

  /** Ends the sharing (the browser's "sharing this screen" indicator goes away). */
  stop(): void {
    for (const track of this.stream.getTracks()) track.stop()
    this.video.srcObject = null
    this.video.remove()
  }
}
