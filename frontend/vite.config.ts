import { defineConfig } from "vite";

// The window loads dist/ from the Go binary (embedded); no dev server is needed for a build.
export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
  },
});
