using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.Numerics.Prompts;

/// <summary>
/// One in-context regression prompt: X ∈ R^{n×d} (rows x_i), labels y ∈ R^{n} (column), query x_q ∈ R^{d}
/// (column), its target y_q, and the task vector w* that generated the labels.
/// </summary>
public sealed class Prompt<T> where T : struct, IScalar<T>
{
    public Mat<T> X { get; }
    public Mat<T> Y { get; }
    public Mat<T> Query { get; }
    public T QueryTarget { get; }
    public Mat<T> Task { get; }

    public int N => X.Rows;
    public int D => X.Cols;

    public Prompt(Mat<T> x, Mat<T> y, Mat<T> query, T queryTarget, Mat<T> task)
    {
        Guard.Shape(y.Rows, y.Cols, x.Rows, 1, nameof(y));
        Guard.Shape(query.Rows, query.Cols, x.Cols, 1, nameof(query));
        Guard.Shape(task.Rows, task.Cols, x.Cols, 1, nameof(task));
        X = x;
        Y = y;
        Query = query;
        QueryTarget = queryTarget;
        Task = task;
    }

    /// <summary>A realizable prompt: y = X w*, y_q = ⟨x_q, w*⟩.</summary>
    public static Prompt<T> Realizable(Mat<T> x, Mat<T> query, Mat<T> task) =>
        new(x, x * task, query, Mat<T>.Dot(query, task), task);
}
