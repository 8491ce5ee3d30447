package dev.flowkit.runtime.metrics;

import java.util.Arrays;

/**
 * Exact minimum-cost perfect matching on a dense square cost matrix: the shortest augmenting path
 * method of Jonker and Volgenant in Crouse's formulation (the one behind SciPy's linear_sum_assignment).
 * O(n³) in the worst case, about a second for n = 2000 on random Euclidean costs.
 */
public final class Assignment {
    private Assignment() {}

    /** Returns col[i], the column matched to row i; cost is row-major n×n. */
    public static int[] solve(double[] cost, int n) {
        double[] u = new double[n];
        double[] v = new double[n];
        double[] shortest = new double[n];
        int[] path = new int[n];
        int[] colForRow = new int[n];
        int[] rowForCol = new int[n];
        int[] remaining = new int[n];
        boolean[] rowSeen = new boolean[n];
        boolean[] colSeen = new boolean[n];
        Arrays.fill(colForRow, -1);
        Arrays.fill(rowForCol, -1);
        for (int current = 0; current < n; current++) {
            // Dijkstra from row `current` over reduced costs until a free column is reached.
            Arrays.fill(shortest, Double.POSITIVE_INFINITY);
            Arrays.fill(rowSeen, false);
            Arrays.fill(colSeen, false);
            for (int k = 0; k < n; k++) remaining[k] = n - k - 1;
            int left = n;
            int i = current;
            int sink = -1;
            double minVal = 0;
            while (sink == -1) {
                rowSeen[i] = true;
                int index = -1;
                double lowest = Double.POSITIVE_INFINITY;
                int base = i * n;
                for (int k = 0; k < left; k++) {
                    int j = remaining[k];
                    double r = minVal + cost[base + j] - u[i] - v[j];
                    if (r < shortest[j]) {
                        path[j] = i;
                        shortest[j] = r;
                    }
                    if (shortest[j] < lowest || (shortest[j] == lowest && rowForCol[j] == -1)) {
                        lowest = shortest[j];
                        index = k;
                    }
                }
                minVal = lowest;
                if (minVal == Double.POSITIVE_INFINITY) throw new IllegalArgumentException("cost matrix has no finite assignment");
                int j = remaining[index];
                if (rowForCol[j] == -1) sink = j;
                else i = rowForCol[j];
                colSeen[j] = true;
                remaining[index] = remaining[--left];
            }
            u[current] += minVal;
            for (int r = 0; r < n; r++) if (rowSeen[r] && r != current) u[r] += minVal - shortest[colForRow[r]];
            for (int c = 0; c < n; c++) if (colSeen[c]) v[c] -= minVal - shortest[c];
            int j = sink;
            while (true) {
                int r = path[j];
                rowForCol[j] = r;
                int previous = colForRow[r];
                colForRow[r] = j;
                j = previous;
                if (r == current) break;
            }
        }
        return colForRow;
    }
}
