// Builds the dashboard into dist/, served by the apiserver under /dashboard/.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/dashboard/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 600, reportCompressedSize: false },
});
